import IndicatorKit
import Indicators

ModuleRunner.run(SupplyChainModule())
